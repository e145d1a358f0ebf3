//! The engine's jobs as `/jobs` serves them: one store for the jobs the engine runs its
//! commands under (started until the host or VM they act on settles) and the
//! external jobs and steps clients add to report their own work (the `ovirt_job` module, the
//! cluster_upgrade role).

use model::engine::EngineError;
use model::{HostId, Timestamp, Uuid, VmId};
use ovirt_wire as wire;
use ovirt_wire::{ApiPath, JobStatus, StepStatus, StepType};

use crate::Simulator;

/// A job: the engine's own (an action it ran) or a client's (`POST /jobs`).
pub struct JobRecord {
    pub id: String,
    pub description: String,
    pub correlation_id: Option<String>,
    pub external: bool,
    pub auto_cleared: bool,
    pub status: JobStatus,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub last_updated: Timestamp,
    pub steps: Vec<StepRecord>,
    /// What an engine job's asynchronous work acts on; it ends when that settles.
    pub subject: Option<JobSubject>,
}

/// The host or VM whose asynchronous work an engine job waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSubject {
    Host(HostId),
    Vm(VmId),
}

impl JobSubject {
    fn busy(self, sim: &Simulator) -> bool {
        match self {
            JobSubject::Host(host) => sim.host_busy(host),
            JobSubject::Vm(vm) => sim.vm_busy(vm),
        }
    }
}

/// A step of an external job (`POST /jobs/{id}/steps`).
pub struct StepRecord {
    pub id: String,
    pub description: String,
    pub number: i32,
    pub step_type: StepType,
    pub status: StepStatus,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
}

/// Every job the engine knows, oldest first.
#[derive(Default)]
pub struct JobStore {
    jobs: Vec<JobRecord>,
}

/// The engine's refusal for a job or step it does not have (`ACTION_TYPE_NO_JOB`,
/// `ACTION_TYPE_NO_STEP`: bad parameters, 400).
fn no_such(what: &str, action: &str) -> EngineError {
    let (kind, missing) = match what {
        "step" => ("External Step", "Step not found"),
        _ => ("External Job", "Job not found"),
    };
    EngineError::Refused {
        status: 400,
        reason: "Operation Failed".into(),
        detail: format!("[Cannot {action} {kind}. {missing}.]"),
    }
}

impl JobStore {
    pub fn all(&self) -> &[JobRecord] {
        &self.jobs
    }

    pub fn get(&self, id: &str) -> Option<&JobRecord> {
        self.jobs.iter().find(|job| job.id == id)
    }

    fn next_id(&self) -> String {
        Uuid::derived("job", &self.jobs.len().to_string()).to_string()
    }

    /// An action the engine ran: started while its asynchronous work goes on (the engine's
    /// `ExecutionHandler` ends a job when its command and callbacks end), else finished at once.
    pub fn record_action(
        &mut self,
        description: String,
        correlation_id: Option<String>,
        subject: Option<JobSubject>,
        sim: &Simulator,
    ) -> String {
        let id = self.next_id();
        let now = sim.now();
        let started = subject.is_some_and(|s| s.busy(sim));
        self.jobs.push(JobRecord {
            id: id.clone(),
            description,
            correlation_id,
            external: false,
            auto_cleared: true,
            status: if started {
                JobStatus::Started
            } else {
                JobStatus::Finished
            },
            start_time: now,
            end_time: (!started).then_some(now),
            last_updated: now,
            steps: Vec::new(),
            subject: subject.filter(|_| started),
        });
        id
    }

    /// Ends the engine jobs whose host or VM has settled since they were last looked at.
    pub fn settle(&mut self, sim: &Simulator) {
        for job in self
            .jobs
            .iter_mut()
            .filter(|j| j.status == JobStatus::Started)
        {
            if job.subject.is_some_and(|s| !s.busy(sim)) {
                job.status = JobStatus::Finished;
                job.end_time = Some(sim.now());
                job.last_updated = sim.now();
                job.subject = None;
            }
        }
    }

    /// A client's job (`AddExternalJobCommand`): started, external, auto-cleared only when asked.
    pub fn add_external(
        &mut self,
        description: String,
        auto_cleared: bool,
        correlation_id: Option<String>,
        now: Timestamp,
    ) -> &JobRecord {
        let id = self.next_id();
        self.jobs.push(JobRecord {
            id,
            description,
            correlation_id,
            external: true,
            auto_cleared,
            status: JobStatus::Started,
            start_time: now,
            end_time: None,
            last_updated: now,
            steps: Vec::new(),
            subject: None,
        });
        self.jobs.last().expect("just added")
    }

    fn external_mut(&mut self, id: &str, action: &str) -> Result<&mut JobRecord, EngineError> {
        let job = self
            .jobs
            .iter_mut()
            .find(|job| job.id == id)
            .ok_or_else(|| no_such("job", action))?;
        if !job.external {
            return Err(EngineError::Refused {
                status: 400,
                reason: "Operation Failed".into(),
                detail: format!("[Cannot {action} External Job. External steps can be added only to external jobs or steps.]"),
            });
        }
        Ok(job)
    }

    /// Ends a client's job (`EndExternalJobCommand`): finished or failed, its open steps end
    /// with it (`JobRepositoryImpl.updateCompletedJobAndSteps`); `force` also clears it.
    pub fn end(
        &mut self,
        id: &str,
        succeeded: bool,
        force: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let job = self.external_mut(id, "clear")?;
        job.status = if succeeded {
            JobStatus::Finished
        } else {
            JobStatus::Failed
        };
        job.end_time = Some(now);
        job.last_updated = now;
        let step_status = if succeeded {
            StepStatus::Finished
        } else {
            StepStatus::Failed
        };
        for step in job
            .steps
            .iter_mut()
            .filter(|s| s.status == StepStatus::Started)
        {
            step.status = step_status;
            step.end_time = Some(now);
        }
        if force {
            job.auto_cleared = true;
        }
        Ok(())
    }

    /// Adds a step to a client's job (`AddExternalStepCommand`), numbered in order.
    pub fn add_step(
        &mut self,
        job: &str,
        description: String,
        step_type: StepType,
        now: Timestamp,
    ) -> Result<&StepRecord, EngineError> {
        let job = self.external_mut(job, "add")?;
        let id = Uuid::derived("step", &format!("{}/{}", job.id, job.steps.len())).to_string();
        let number = job.steps.len() as i32;
        job.last_updated = now;
        job.steps.push(StepRecord {
            id,
            description,
            number,
            step_type,
            status: StepStatus::Started,
            start_time: now,
            end_time: None,
        });
        Ok(job.steps.last().expect("just added"))
    }

    /// Ends a step (`EndExternalStepCommand`): finished or failed.
    pub fn end_step(
        &mut self,
        job: &str,
        step: &str,
        succeeded: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let job = self
            .jobs
            .iter_mut()
            .find(|j| j.id == job)
            .ok_or_else(|| no_such("job", "end"))?;
        let found = job
            .steps
            .iter_mut()
            .find(|s| s.id == step)
            .ok_or_else(|| no_such("step", "end"))?;
        found.status = if succeeded {
            StepStatus::Finished
        } else {
            StepStatus::Failed
        };
        found.end_time = Some(now);
        job.last_updated = now;
        Ok(())
    }
}

impl JobRecord {
    pub fn to_wire(&self, api: &ApiPath, owner: wire::Ref) -> wire::Job {
        wire::Job {
            href: Some(api.entity("jobs", &self.id)),
            id: Some(self.id.clone()),
            actions: wire::Job::ACTIONS,
            links: wire::Job::LINKS,
            description: Some(self.description.clone()),
            auto_cleared: Some(self.auto_cleared),
            external: Some(self.external),
            start_time: Some(self.start_time.into()),
            end_time: self.end_time.map(Into::into),
            last_updated: Some(self.last_updated.into()),
            status: Some(self.status),
            owner: Some(owner),
            ..wire::Job::default()
        }
    }
}

impl StepRecord {
    pub fn to_wire(&self, api: &ApiPath, job: &str) -> wire::Step {
        wire::Step {
            href: Some(format!("{}/steps/{}", api.entity("jobs", job), self.id)),
            id: Some(self.id.clone()),
            actions: wire::Step::ACTIONS,
            description: Some(self.description.clone()),
            external: Some(true),
            number: Some(self.number),
            start_time: Some(self.start_time.into()),
            end_time: self.end_time.map(Into::into),
            status: Some(self.status),
            type_: Some(self.step_type),
            job: Some(api.reference("jobs", job)),
            ..wire::Step::default()
        }
    }
}
