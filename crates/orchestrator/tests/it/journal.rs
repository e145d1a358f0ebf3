//! The journal: records round-trip, foreign files are refused with the reason.

use model::*;
use orchestrator::journal::{Action, Answer, Record};
use orchestrator::*;

use super::harness::START;

fn header() -> RunHeader {
    RunHeader {
        run_id: "r1".into(),
        engine: "https://engine.example.com/ovirt-engine/api".into(),
        cluster: ClusterId(Uuid::derived("cluster", "c")),
        cluster_name: "c".into(),
        correlation_id: "corr".into(),
        created_ms: START.0,
        options: Options::default(),
    }
}

#[test]
fn records_round_trip_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let mut journal = Journal::create(&path, header()).unwrap();
    let records = [
        Record::Began { resumed: false },
        Record::Intent {
            step: 0,
            action: Action::StartUpgradeFlag,
        },
        Record::Answered {
            step: 0,
            answer: Answer::Refused {
                detail: "busy".into(),
            },
        },
    ];
    for (i, record) in records.iter().enumerate() {
        journal.append(START.plus_millis(i as i64), record).unwrap();
    }
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.header(), &header());
    let entries = journal.entries().unwrap();
    assert_eq!(
        entries.iter().map(|e| e.record.clone()).collect::<Vec<_>>(),
        records
    );
    assert_eq!(entries[2].at, START.plus_millis(2));
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn a_missing_file_or_a_foreign_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Journal::open(&dir.path().join("none.sqlite")).unwrap_err();
    assert!(matches!(missing, JournalError::Missing { .. }), "{missing}");
    let path = dir.path().join("other.sqlite");
    std::fs::write(&path, b"not a database at all, just text").unwrap();
    let foreign = Journal::open(&path).unwrap_err();
    assert!(foreign.to_string().contains("other.sqlite"), "{foreign}");
}

#[test]
fn status_tells_an_unstarted_plan_from_a_run() {
    let mut journal = Journal::in_memory(header()).unwrap();
    let status = RunStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(status.state, orchestrator::state::RunPhase::Planned);
    journal
        .append(START, &Record::Began { resumed: false })
        .unwrap();
    journal
        .append(
            START,
            &Record::Intent {
                step: 0,
                action: Action::StartUpgradeFlag,
            },
        )
        .unwrap();
    let status = RunStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(status.state, orchestrator::state::RunPhase::Interrupted);
    assert_eq!(status.unsettled_steps, 1, "a call with no answer recorded");
}
