# What the on-call is told, each to var.alarm_topic_arn (when it fires and when it is over).
# docs/runbook.md says what each one means and what to do; docs/deployment.md why these
# thresholds. Every alarm fires on one period above its threshold, and a period without
# data is not a breach: SQS and Lambda send no data points while nothing happens.

locals {
  function_dimensions = { FunctionName = aws_lambda_function.status_checker.function_name }

  alarms = {
    # A message that failed max_receive_count times: rejected as invalid, a collection row
    # that does not exist, or AWS failing for long. Nothing retries it any more.
    "dlq-not-empty" = {
      description = "Messages in ${aws_sqs_queue.dead_letter.name}: they failed ${var.max_receive_count} times and are not retried. Inspect, fix, redrive (docs/runbook.md)."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = aws_sqs_queue.dead_letter.name }
      statistic   = "Maximum"
      threshold   = 0
    }
    # Files NiFi received are not being counted: the function is failing, throttled or
    # cannot keep up, and runs stop moving.
    "oldest-message-age" = {
      description = "The oldest message on ${aws_sqs_queue.source.name} is older than ${var.oldest_message_alarm_seconds} s: messages fail again and again, or the function does not keep up (docs/runbook.md)."
      namespace   = "AWS/SQS"
      metric      = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = aws_sqs_queue.source.name }
      statistic   = "Maximum"
      threshold   = var.oldest_message_alarm_seconds
    }
    # An invocation that failed as a whole: an init error (a bad setting), a crash, a
    # timeout. A message that fails alone is a batch item failure, not an error: the DLQ
    # and oldest-message alarms see those.
    "errors" = {
      description = "Invocations of ${var.function_name} failed as a whole (init error, crash or timeout): their batches come back. Look at the function's log (docs/runbook.md)."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = local.function_dimensions
      statistic   = "Sum"
      threshold   = 0
    }
    # Lambda refused invocations: reserved or account concurrency is used up. The messages
    # wait on the queue (and reach the DLQ when throttled max_receive_count times).
    "throttles" = {
      description = "Invocations of ${var.function_name} were throttled: concurrency is used up, messages wait (docs/runbook.md)."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = local.function_dimensions
      statistic   = "Sum"
      threshold   = 0
    }
    # Transactions met others on the export status table's rows: hot collections. The
    # function waits contention out (it is not failure), but while one of its transactions
    # holds a row the exporter's and the sender's plain writes to that row are refused too,
    # and a message whose invocation runs out of time waiting comes back.
    "transaction-conflicts" = {
      description = "More than ${var.transaction_conflict_alarm_threshold} requests on ${var.export_status_table_name} met a transaction on the same item in ${var.alarm_period_seconds} s: hot collections (docs/runbook.md)."
      namespace   = "AWS/DynamoDB"
      metric      = "TransactionConflict"
      dimensions  = { TableName = var.export_status_table_name }
      statistic   = "Sum"
      threshold   = var.transaction_conflict_alarm_threshold
    }
    # An invocation came close to its timeout: AWS is slow or was retried for long, and the
    # next one may time out with its whole batch (the binary cuts its own waits short before
    # the deadline, so a finished run's metrics may be deleted before they are scraped).
    # Lambda reports Duration in milliseconds.
    "duration-near-timeout" = {
      description = "An invocation of ${var.function_name} took more than ${var.duration_alarm_share * 100} % of its ${var.timeout} s timeout (docs/runbook.md)."
      namespace   = "AWS/Lambda"
      metric      = "Duration"
      dimensions  = local.function_dimensions
      statistic   = "Maximum"
      threshold   = floor(var.timeout * 1000 * var.duration_alarm_share)
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "status_checker" {
  for_each = local.alarms

  alarm_name        = "${var.function_name}-${each.key}"
  alarm_description = each.value.description
  namespace         = each.value.namespace
  metric_name       = each.value.metric
  dimensions        = each.value.dimensions
  statistic         = each.value.statistic
  period            = var.alarm_period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"

  alarm_actions = [var.alarm_topic_arn]
  ok_actions    = [var.alarm_topic_arn]
  tags          = var.tags
}
