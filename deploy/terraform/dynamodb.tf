# The file receipts table (SPEC section 2): this system's own, read by no other. One small
# item per counted file, written in the same transaction as the FilesReceived increment, so
# that a redelivered file counts once at any size of collection. Receipts go once no
# redelivery can come: DynamoDB deletes an item after the epoch second in ExpiresAt.

resource "aws_dynamodb_table" "file_receipts" {
  # checkov:skip=CKV_AWS_119:Encrypted at rest either way; a customer managed key is file_receipts_kms_key_arn, the deployment's choice (docs/deployment.md, "Static check").
  # checkov:skip=CKV_AWS_28:Receipts expire after 30 days and only stop a redelivered file from counting twice; recovery is file_receipts_point_in_time_recovery (docs/deployment.md).
  name     = var.file_receipts_table_name
  hash_key = "ReceiptKey"

  # One write per counted file, in bursts as large as a run: nothing to provision for.
  billing_mode = "PAY_PER_REQUEST"

  attribute {
    name = "ReceiptKey"
    type = "S"
  }

  ttl {
    attribute_name = "ExpiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.file_receipts_point_in_time_recovery
  }

  # Always encrypted at rest: with DynamoDB's own key, or with the customer managed key
  # given (the role may use it, iam.tf).
  server_side_encryption {
    enabled     = var.file_receipts_kms_key_arn != null
    kms_key_arn = var.file_receipts_kms_key_arn
  }

  tags = var.tags
}
