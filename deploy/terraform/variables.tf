# --- the package -----------------------------------------------------------------

variable "architecture" {
  description = "Lambda architecture: x86_64, or arm64 (Graviton, about 20 % cheaper per GB-second) once scripts/package.sh builds the aarch64 zip. Picks the zip when package_path is null."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "package_path" {
  description = "The zip made by scripts/package.sh (bootstrap at its root, provided.al2023); null takes the one for var.architecture from ../../dist (snapshot-sender-status-checker-x86_64.zip or -aarch64.zip, as `uname -m` names the machine that built it)."
  type        = string
  default     = null
}

variable "function_name" {
  description = "Name of the Lambda function (also names its role, log group and queues)."
  type        = string
  default     = "snapshot-sender-status-checker"
}

# --- what the function talks to (owned by the neighbouring systems) ------------------

variable "export_status_table_name" {
  description = "DynamoDB export status table (SPEC section 2): counted, read and moved to Received/Success."
  type        = string
  default     = "UCExportToCrownStatus"
}

variable "product_status_table_name" {
  description = "DynamoDB product status table (SPEC section 2): the SNAPSHOT_SENDER item is read and written."
  type        = string
  default     = "data_pipeline_metadata"
}

variable "file_receipts_table_name" {
  description = "DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME (SPEC section 2): this system's own table, made here, one small item per counted file, expiring through ExpiresAt."
  type        = string
  default     = "snapshot_sender_status_checker_file_receipts"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.file_receipts_table_name))
    error_message = "A DynamoDB table name is 3 to 255 characters of a-z, A-Z, 0-9, _, . and -."
  }
}

variable "file_receipts_expiry_days" {
  description = "FILE_RECEIPTS_EXPIRY_DAYS: days a file's receipt is kept (its ExpiresAt). A redelivery after that counts the file again, so it must cover the longest a message can live: the dead-letter queue's retention, counted from when NiFi sent it."
  type        = number
  default     = 30

  validation {
    condition     = var.file_receipts_expiry_days >= 1 && var.file_receipts_expiry_days <= 1825
    error_message = "file_receipts_expiry_days must be from 1 to 1825 (DynamoDB's TTL ignores an ExpiresAt over five years old)."
  }
}

variable "file_receipts_point_in_time_recovery" {
  description = "Point-in-time recovery on the receipts table. Off by default: receipts expire after 30 days and only decide whether a redelivered file counts again; losing them costs at most double counts of files redelivered after the loss (docs/deployment.md)."
  type        = bool
  default     = false
}

variable "file_receipts_kms_key_arn" {
  description = "Customer managed KMS key for the receipts table; null keeps DynamoDB's own key (the table is encrypted at rest either way)."
  type        = string
  default     = null
}

variable "export_state_queue_name" {
  description = "Name of the snapshot sender's FIFO queue the function asks to send a collection's _success file (ends in .fifo)."
  type        = string

  validation {
    condition     = endswith(var.export_state_queue_name, ".fifo")
    error_message = "The export-state queue is a FIFO queue: its name ends in .fifo."
  }
}

variable "monitoring_topic_name" {
  description = "Name of the SNS topic monitoring (Slack) listens on."
  type        = string
}

variable "kms_key_arns" {
  description = "Customer managed KMS keys of the tables, queues or topic, if any (the role may use them for data keys only)."
  type        = list(string)
  default     = []
}

# --- the function ------------------------------------------------------------------

variable "memory_size" {
  description = "MB. The process peaks near 50 MB (a batch of 10 that finishes a run stage); more memory buys CPU (TLS handshakes, SigV4, JSON) at little cost for short invocations."
  type        = number
  default     = 256
}

variable "timeout" {
  description = "Seconds. Must cover METRICS_SCRAPE_INTERVAL_SECONDS (waited once by the invocation that finishes a run) plus the batch's AWS calls with retries: the binary keeps the scrape wait's time after its work end, so 180 leaves about 105 s to wait out contention on a hot collection."
  type        = number
  default     = 180
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null for none (the event source mapping's maximum_concurrency is the usual limit)."
  type        = number
  default     = null
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs."
  type        = number
  default     = 30
}

# --- the source queue and its event source mapping ---------------------------------------

variable "batch_size" {
  description = "Messages per invocation (1-10 without a batching window). A batch's files of one collection are counted in one transaction per 99: with 100, a hot collection's row meets a tenth of the transactions it meets with 10 (docs/performance.md, \"Hot collections\"). Partial batch responses make larger batches safe: only failed messages come back."
  type        = number
  default     = 100
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds the poller may wait to fill a batch (0: invoke at once). Needed above 10 messages; a backlog fills a batch at once, and a trickle waits at most this long."
  type        = number
  default     = 5
}

variable "maximum_concurrency" {
  description = "Most concurrent invocations the queue may drive (2-1000), or null for no limit. Bounds contention on a run's rows."
  type        = number
  default     = 50

  validation {
    condition     = var.maximum_concurrency == null ? true : (var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000)
    error_message = "maximum_concurrency must be null or between 2 and 1000."
  }
}

variable "max_receive_count" {
  description = "Receives before a message goes to the dead-letter queue. At least 2 so that a batch whose invocation died is delivered again (crash recovery, docs/design.md); 5 as AWS advises so throttling alone does not dead-letter messages."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 2
    error_message = "max_receive_count must be at least 2: crash recovery needs one more delivery."
  }
}

variable "dead_letter_retention_seconds" {
  description = "How long the dead-letter queue keeps messages (SQS's maximum, 14 days, leaves time to inspect and redrive)."
  type        = number
  default     = 1209600
}

# --- settings of the function (SPEC section 8) -------------------------------------------

variable "environment" {
  description = "ENVIRONMENT: goes into every log line."
  type        = string
  default     = "NOT_SET"
}

variable "application" {
  description = "APPLICATION: goes into every log line."
  type        = string
  default     = "snapshot-sender-status-checker"
}

variable "log_level" {
  description = "LOG_LEVEL: DEBUG, INFO, WARNING, ERROR or CRITICAL."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], upper(var.log_level))
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "pushgateway_hostname" {
  description = "PUSHGATEWAY_HOSTNAME; empty means metrics are not pushed. The gateway usually sits in a VPC: see subnet_ids."
  type        = string
  default     = ""
}

variable "pushgateway_port" {
  description = "PUSHGATEWAY_PORT."
  type        = number
  default     = 9091
}

variable "metrics_scrape_interval_seconds" {
  description = "METRICS_SCRAPE_INTERVAL_SECONDS: wait before deleting a finished run's metrics, so Prometheus scrapes the final values."
  type        = number
  default     = 70
}

variable "extra_environment" {
  description = "Further environment variables for the function (e.g. AWS_ENDPOINT_URL_* for VPC endpoints with private DNS off)."
  type        = map(string)
  default     = {}
}

# --- network ----------------------------------------------------------------------

variable "subnet_ids" {
  description = "Private subnets to run in, to reach a push gateway inside a VPC; empty runs outside any VPC. In a VPC the function reaches DynamoDB, SQS and SNS only through a NAT gateway or VPC endpoints."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups for the function's network interfaces (egress to the push gateway's port and HTTPS to AWS)."
  type        = list(string)
  default     = []
}

# --- alarms (docs/runbook.md says what to do about each) --------------------------------

variable "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (in alarm and back to OK): the on-call's."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "oldest_message_alarm_seconds" {
  description = "Alarm when the source queue's oldest message is older than this. A message that failed once comes back after the visibility timeout (6 x timeout + batching window = 1085 s by default), so 2400 s means it failed at least twice or the function is not keeping up."
  type        = number
  default     = 2400
}

variable "duration_alarm_share" {
  description = "Alarm when an invocation's duration reaches this share of the timeout. The invocation that finishes a run waits METRICS_SCRAPE_INTERVAL_SECONDS (70 of 180 s by default), so 0.8 leaves that normal case quiet."
  type        = number
  default     = 0.8

  validation {
    condition     = var.duration_alarm_share > 0 && var.duration_alarm_share < 1
    error_message = "duration_alarm_share must be between 0 and 1."
  }
}

variable "transaction_conflict_alarm_threshold" {
  description = "Alarm when more requests than this on the export status table met a transaction on the same item in one alarm period. Grouped counting keeps a hot collection near one conflict per batch; docs/design.md (\"Hot collections\") gives the figures."
  type        = number
  default     = 3000
}

variable "alarm_period_seconds" {
  description = "Period of every alarm (CloudWatch's SQS metrics come every 5 minutes)."
  type        = number
  default     = 300
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
