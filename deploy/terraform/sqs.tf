# The queue NiFi puts one message on per received file, and its dead-letter queue.

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.function_name}-dlq"
  message_retention_seconds = var.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "source" {
  name = var.function_name

  # AWS refuses an event source mapping whose queue's visibility timeout is shorter
  # than the function timeout, and advises six times the timeout (plus the batching
  # window) so a batch throttled at first is not redelivered while Lambda retries it.
  # Crash recovery relies on it too: a batch whose invocation died becomes visible
  # again only after this timeout, by when that invocation's pending-effects mark
  # (its deadline) has expired and the redelivered message may take the effects over
  # (docs/design.md, "Transitions happen once, side effects are never lost").
  visibility_timeout_seconds = 6 * var.timeout + var.maximum_batching_window_in_seconds

  message_retention_seconds = 345600 # 4 days, SQS's default
  receive_wait_time_seconds = 20     # long polling: fewer empty receives
  sqs_managed_sse_enabled   = true

  # A message that keeps failing (a rejected message, a collection row that does not
  # exist) is kept for inspection instead of being retried until it expires.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = var.tags
}

# Only the source queue may move messages into the dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.source.arn]
  })
}
