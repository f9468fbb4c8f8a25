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
