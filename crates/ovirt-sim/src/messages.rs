//! The engine's event codes and texts for what the simulator does (`AuditLogType`,
//! `AuditLogMessages.properties`). Clients match host and VM names inside the texts.

/// The user every simulated action is attributed to.
pub const USER: &str = "admin@internal-authz";

pub const VDS_FAILURE: u32 = 12;
pub const VDS_MAINTENANCE: u32 = 15;
pub const VDS_MAINTENANCE_FAILED: u32 = 17;
pub const VDS_ACTIVATE: u32 = 16;
pub const USER_RUN_VM: u32 = 32;
pub const USER_STOP_VM: u32 = 33;
pub const USER_FAILED_RUN_VM: u32 = 54;
pub const VM_DOWN: u32 = 61;
pub const VM_MIGRATION_START: u32 = 62;
pub const VM_MIGRATION_DONE: u32 = 63;
pub const VM_MIGRATION_FAILED: u32 = 65;
pub const VM_MIGRATION_START_SYSTEM_INITIATED: u32 = 67;
pub const VM_MIGRATION_TO_SERVER_FAILED: u32 = 120;
pub const VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE: u32 = 140;
pub const VDS_CLUSTER_VERSION_NOT_SUPPORTED: u32 = 154;
pub const SYSTEM_SSH_HOST_RESTART: u32 = 197;
pub const USER_INITIATED_SHUTDOWN_VM: u32 = 73;
pub const VM_DOWN_ERROR: u32 = 119;
pub const USER_VDS_MAINTENANCE: u32 = 600;
pub const USER_VDS_MAINTENANCE_MIGRATION_FAILED: u32 = 602;
pub const USER_VDS_MAINTENANCE_WITHOUT_REASON: u32 = 620;
pub const USER_UPDATE_CLUSTER: u32 = 811;
pub const HOST_AVAILABLE_UPDATES_FAILED: u32 = 839;
pub const HOST_UPGRADE_STARTED: u32 = 840;
pub const HOST_UPGRADE_FAILED: u32 = 841;
pub const HOST_UPGRADE_FINISHED: u32 = 842;
pub const HOST_UPDATES_ARE_AVAILABLE_WITH_PACKAGES: u32 = 843;
pub const HOST_AVAILABLE_UPDATES_STARTED: u32 = 884;
pub const HOST_AVAILABLE_UPDATES_FINISHED: u32 = 885;
pub const HOST_AVAILABLE_UPDATES_PROCESS_IS_ALREADY_RUNNING: u32 = 886;
pub const HOST_AVAILABLE_UPDATES_SKIPPED_UNSUPPORTED_STATUS: u32 = 887;
pub const HOST_UPGRADE_FINISHED_AND_WILL_BE_REBOOTED: u32 = 888;
pub const USER_START_CLUSTER_UPGRADE: u32 = 892;
pub const USER_START_CLUSTER_UPGRADE_FAILED: u32 = 893;
pub const USER_FINISH_CLUSTER_UPGRADE: u32 = 894;
pub const USER_UPDATE_CLUSTER_UPGRADE: u32 = 896;
pub const USER_UPDATE_STORAGE_POOL: u32 = 952;
pub const VDS_DETECTED: u32 = 13;
pub const USER_SET_HOSTED_ENGINE_MAINTENANCE: u32 = 10450;
pub const USER_FAILED_TO_SET_HOSTED_ENGINE_MAINTENANCE: u32 = 10451;
/// External events (`POST /events`), by severity.
pub const EXTERNAL_EVENT_NORMAL: u32 = 9801;
pub const EXTERNAL_EVENT_WARNING: u32 = 9802;
pub const EXTERNAL_EVENT_ERROR: u32 = 9803;
pub const EXTERNAL_ALERT: u32 = 9804;
