output "function_name" {
  value = aws_lambda_function.status_checker.function_name
}

output "function_arn" {
  value = aws_lambda_function.status_checker.arn
}

output "role_arn" {
  description = "The function's role (least privilege, iam.tf)."
  value       = aws_iam_role.function.arn
}

output "source_queue_url" {
  description = "Where NiFi puts one message per received file."
  value       = aws_sqs_queue.source.url
}

output "source_queue_arn" {
  value = aws_sqs_queue.source.arn
}

output "dead_letter_queue_url" {
  description = "Messages that failed max_receive_count times; inspect, then redrive."
  value       = aws_sqs_queue.dead_letter.url
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.function.name
}

output "file_receipts_table_name" {
  description = "DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME: one item per counted file, expiring through ExpiresAt."
  value       = aws_dynamodb_table.file_receipts.name
}

output "alarm_arns" {
  description = "The alarms that notify alarm_topic_arn."
  value       = { for name, alarm in aws_cloudwatch_metric_alarm.status_checker : name => alarm.arn }
}

output "dashboard_name" {
  value = aws_cloudwatch_dashboard.status_checker.dashboard_name
}
