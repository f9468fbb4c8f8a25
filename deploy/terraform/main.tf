# Example deployment of snapshot-sender-status-checker: the function (custom runtime,
# package from scripts/package.sh), its log group, its source queue with a dead-letter
# queue, the event source mapping with partial batch responses, the file receipts table
# (dynamodb.tf), a role that may do exactly what the code does (iam.tf), and alarms with
# a dashboard (alarms.tf, dashboard.tf). The two status tables, the export-state queue
# and the monitoring topic belong to the neighbouring systems and are looked up by name.
#
# docs/deployment.md explains every number chosen here.

data "aws_region" "current" {}

data "aws_dynamodb_table" "export_status" {
  name = var.export_status_table_name
}

data "aws_dynamodb_table" "product_status" {
  name = var.product_status_table_name
}

data "aws_sqs_queue" "export_state" {
  name = var.export_state_queue_name
}

data "aws_sns_topic" "monitoring" {
  name = var.monitoring_topic_name
}

locals {
  log_group_name = "/aws/lambda/${var.function_name}"
  in_vpc         = length(var.subnet_ids) > 0

  # scripts/package.sh names the zip after `uname -m` of the machine it is for.
  package_path = coalesce(
    var.package_path,
    "${path.module}/../../dist/snapshot-sender-status-checker-${var.architecture == "arm64" ? "aarch64" : "x86_64"}.zip",
  )

  # SPEC section 8. AWS_REGION is set by Lambda itself (and reserved); credentials
  # come from the role through Lambda's environment.
  environment = merge(
    {
      MONITORING_SNS_TOPIC_ARN            = data.aws_sns_topic.monitoring.arn
      EXPORT_STATE_SQS_QUEUE_URL          = data.aws_sqs_queue.export_state.url
      DYNAMO_DB_EXPORT_STATUS_TABLE_NAME  = data.aws_dynamodb_table.export_status.name
      DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME = data.aws_dynamodb_table.product_status.name
      DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME  = aws_dynamodb_table.file_receipts.name
      FILE_RECEIPTS_EXPIRY_DAYS           = tostring(var.file_receipts_expiry_days)
      ENVIRONMENT                         = var.environment
      APPLICATION                         = var.application
      LOG_LEVEL                           = upper(var.log_level)
      PUSHGATEWAY_PORT                    = tostring(var.pushgateway_port)
      METRICS_SCRAPE_INTERVAL_SECONDS     = tostring(var.metrics_scrape_interval_seconds)
    },
    # Unset rather than empty: no host name means no pushing.
    var.pushgateway_hostname == "" ? {} : { PUSHGATEWAY_HOSTNAME = var.pushgateway_hostname },
    var.extra_environment,
  )
}

# Made here (not by Lambda on first write) so that its retention is set and the role
# needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "function" {
  # checkov:skip=CKV_AWS_158:The lines hold ids and file names, never a credential (SPEC section 9); CloudWatch encrypts them at rest with its own key.
  # checkov:skip=CKV_AWS_338:Retention is log_retention_days (30 by default), the deployment's policy to set.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "status_checker" {
  # checkov:skip=CKV_AWS_116:A function's DLQ is for asynchronous invocations; SQS invokes it synchronously, and the source queue's redrive policy keeps failed messages (sqs.tf).
  # checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile of the deployment's; the zip is reproducible from the commit (docs/deployment.md).
  # checkov:skip=CKV_AWS_173:The variables hold names and ARNs, no secret; Lambda encrypts them at rest with its own key.
  # checkov:skip=CKV_AWS_50:The binary sends no X-Ray segments; active tracing would add xray:PutTraceSegments to a role that does exactly what the code does.
  function_name = var.function_name
  description   = "Counts the files NiFi received per collection and moves snapshot sender runs on"
  role          = aws_iam_role.function.arn

  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  handler          = "bootstrap" # unused by a custom runtime, but the API wants a value
  filename         = local.package_path
  source_code_hash = filebase64sha256(local.package_path)

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  environment {
    variables = local.environment
  }

  dynamic "vpc_config" {
    for_each = local.in_vpc ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      # The invocation that finishes a run waits the scrape interval once, then still
      # has to delete the run's metrics and answer; 30 s is room for the batch's AWS
      # calls and their retries.
      condition     = var.timeout >= var.metrics_scrape_interval_seconds + 30
      error_message = "timeout must be at least metrics_scrape_interval_seconds + 30 s."
    }
    precondition {
      # A message stays in the dead-letter queue at most its retention (SQS counts it from
      # the first enqueue), and once redriven at most the source queue's: a delivery after
      # its receipt expired would count the file again.
      condition     = var.file_receipts_expiry_days * 86400 >= var.dead_letter_retention_seconds + aws_sqs_queue.source.message_retention_seconds
      error_message = "file_receipts_expiry_days must cover the dead-letter queue's retention and the source queue's."
    }
    precondition {
      condition     = !local.in_vpc || length(var.security_group_ids) > 0
      error_message = "A function in a VPC needs security_group_ids."
    }
  }

  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.function,
  ]
}

resource "aws_lambda_event_source_mapping" "source_queue" {
  event_source_arn = aws_sqs_queue.source.arn
  function_name    = aws_lambda_function.status_checker.arn

  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds

  # The handler answers {"batchItemFailures": [...]} (SPEC section 5): only the
  # failed messages return to the queue, the rest of the batch is deleted.
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  lifecycle {
    precondition {
      # A batch of more than 10 needs a batching window (AWS rule for SQS).
      condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds > 0
      error_message = "batch_size above 10 needs maximum_batching_window_in_seconds > 0."
    }
  }
}
