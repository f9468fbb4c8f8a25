# An example of what a deployment gives (terraform apply -var-file=example.tfvars).
# The names are the neighbouring systems' own; the ARNs and account are placeholders.

export_state_queue_name = "snapshot-sender-export-state.fifo"
monitoring_topic_name   = "snapshot-sender-monitoring"
alarm_topic_arn         = "arn:aws:sns:eu-west-2:123456789012:snapshot-sender-on-call"

# x86_64 today; arm64 takes dist/snapshot-sender-status-checker-aarch64.zip.
architecture = "x86_64"

environment = "production"
log_level   = "INFO"
memory_size = 256
timeout     = 180

pushgateway_hostname = "pushgateway.internal.example"
pushgateway_port     = 9091
subnet_ids           = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
security_group_ids   = ["sg-0123456789abcdef0"]

# Alarm thresholds (docs/deployment.md, "Alarms").
oldest_message_alarm_seconds = 2400
duration_alarm_share         = 0.8

tags = {
  service = "snapshot-sender-status-checker"
}
