//! Global maintenance through the Manager VM, and the wait for the engine's health, against
//! the simulated engine on a paused clock.

use std::time::Duration;

use model::engine::Engine;
use model::*;
use orchestrator::hosted_engine::{
    set_global_maintenance, GlobalMaintenance, HostedEngineError, HostedEngineView,
};
use orchestrator::*;

use super::harness::*;

const PATIENCE: Duration = Duration::from_secs(15 * 60);

fn statuses(recorder: &Recorder) -> Vec<String> {
    recorder
        .events()
        .iter()
        .filter_map(|e| match e {
            RunEvent::EngineStatus { status } => Some(status.detail.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn on_and_off_around_the_managers_update_waits_for_good_health() {
    let inventory = scenario::load("example:demo").unwrap();
    let engine = engine(&inventory, "", 1);
    let clock = TokioClock::new(START, 1.0);
    let recorder = Recorder::default();

    let on = set_global_maintenance(&engine, &clock, true, PATIENCE, &recorder)
        .await
        .unwrap();
    assert!(!on.already);
    assert_eq!(on.view.global_maintenance, GlobalMaintenance::On);
    assert!(on.view.hosts.iter().all(|h| h.global_maintenance));
    let again = set_global_maintenance(&engine, &clock, true, PATIENCE, &recorder)
        .await
        .unwrap();
    assert!(again.already, "asked twice, it is on already");

    engine
        .simulator()
        .update_manager("4.4.10".parse().unwrap())
        .unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let view = HostedEngineView::of(&engine.inventory().await.unwrap()).unwrap();
    assert_eq!(
        view.vm_status,
        VmStatus::Down,
        "in global maintenance nothing starts it"
    );
    assert!(!view.engine_status.is_healthy());

    let off = set_global_maintenance(&engine, &clock, false, PATIENCE, &recorder)
        .await
        .unwrap();
    assert!(!off.already);
    assert!(off.view.engine_status.is_healthy());
    assert_eq!(
        off.view.engine_status.to_string(),
        r#"{"health": "good", "vm": "up", "detail": "Up"}"#
    );
    let seen = statuses(&recorder);
    assert!(seen.contains(&"Powering up".to_owned()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("Up"));
    assert!(
        (200..=260).contains(&off.seconds),
        "agent, boot and engine start take about 4 minutes: {}",
        off.seconds
    );
    assert!(recorder
        .events()
        .iter()
        .any(|e| matches!(e, RunEvent::EngineHealthy { .. })));
    let running: Vec<&str> = off
        .view
        .hosts
        .iter()
        .filter(|h| h.running_engine)
        .map(|h| h.name.as_str())
        .collect();
    assert_eq!(running.len(), 1);
    let sim = engine.simulator();
    assert!(sim.history().check(sim.inventory(), sim.now()).is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_environment_without_a_hosted_engine_is_refused_untouched() {
    let inventory = scenario::load("example:standalone-local").unwrap();
    let engine = engine(&inventory, "", 1);
    let clock = TokioClock::new(START, 1.0);
    let error = set_global_maintenance(&engine, &clock, true, PATIENCE, &Recorder::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, HostedEngineError::NoHostedEngine { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("standalone")
            && error.to_string().contains("nothing was changed"),
        "{error}"
    );
    assert_eq!(
        engine.simulator().events(None).len(),
        1,
        "nothing was asked of the engine"
    );
}

#[tokio::test(start_paused = true)]
async fn an_engine_that_never_comes_back_times_out_with_its_last_status() {
    let inventory = scenario::load("example:demo").unwrap();
    let engine = engine(&inventory, "start-fail:HostedEngine", 1);
    let clock = TokioClock::new(START, 1.0);
    let recorder = Recorder::default();
    set_global_maintenance(&engine, &clock, true, PATIENCE, &recorder)
        .await
        .unwrap();
    engine
        .simulator()
        .update_manager("4.4.10".parse().unwrap())
        .unwrap();
    let error = set_global_maintenance(&engine, &clock, false, Duration::from_secs(600), &recorder)
        .await
        .unwrap_err();
    assert!(
        matches!(error, HostedEngineError::NotHealthy { minutes: 10, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("not running"), "{error}");
}

/// A hosted-engine host whose HA agent is down keeps the flag the engine last polled
/// (`SetHaMaintenanceCommand` reaches the agents through the engine VM's host; the API shows
/// each host's flag from its statistics). Global maintenance is judged from the live agents,
/// and the stale host is shown as such instead of holding the wait until its timeout.
#[tokio::test(start_paused = true)]
async fn a_host_whose_agent_is_down_keeps_a_stale_flag_and_does_not_hold_the_wait() {
    let mut inventory = scenario::load("example:self-hosted").unwrap();
    let engine_host = inventory.vms.iter().find(|v| v.hosted_engine).unwrap().host;
    let down = inventory
        .hosts
        .iter_mut()
        .find(|h| h.hosted_engine.is_some() && Some(h.id) != engine_host)
        .unwrap();
    down.status = HostStatus::NonResponsive;
    let down = down.name.clone();
    let engine = engine(&inventory, "", 1);
    let clock = TokioClock::new(START, 1.0);
    let began = clock.now();
    let on = set_global_maintenance(&engine, &clock, true, PATIENCE, &Recorder::default())
        .await
        .unwrap();
    assert_eq!(on.view.global_maintenance, GlobalMaintenance::On);
    let stale = on.view.hosts.iter().find(|h| h.name == down).unwrap();
    assert!(!stale.agent_alive && !stale.global_maintenance, "{stale:?}");
    assert!(clock.now().0 - began.0 < 5 * 60_000, "not waited out");
}
