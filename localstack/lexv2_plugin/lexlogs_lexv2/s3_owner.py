"""S3's `ExpectedBucketOwner` on every bucket call, which LocalStack's S3 checks on most operations
but not on HeadBucket, GetBucketLocation or GetBucketEncryption (LocalStack 4.10,
`S3Provider.head_bucket` reads the bucket from any account).

AWS (Amazon S3 User Guide, "Verifying bucket ownership with bucket owner condition",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html): a request
whose `x-amz-expected-bucket-owner` names another account than the bucket's owner fails with
403 Access Denied. Here: any S3 request naming a bucket and ExpectedBucketOwner is refused with
AccessDenied when LocalStack's global bucket map gives the bucket another owner.

Implemented as a request handler in LocalStack's chain (after the request is parsed, before S3's
provider runs), like iam_slr.py.
"""


def owner_of(account_id: str, region: str, bucket: str) -> str | None:
    """The account that owns `bucket`, or None when there is no such bucket."""
    from localstack.services.s3.models import s3_stores

    store = s3_stores[account_id][region]
    if bucket in store.buckets:
        return account_id
    return store.global_bucket_map.get(bucket)


def check(account_id: str, region: str, request: dict) -> None:
    expected = request.get("ExpectedBucketOwner")
    bucket = request.get("Bucket")
    if not expected or not bucket:
        return
    owner = owner_of(account_id, region, bucket)
    if owner is not None and owner != expected:
        from localstack.aws.api.s3 import AccessDenied

        raise AccessDenied("Access Denied")


def handler(chain, context, response) -> None:
    """LocalStack request handler: runs after the request is parsed, before the S3 provider."""
    service = context.service
    if service is None or service.service_name != "s3" or context.operation is None:
        return
    check(context.account_id, context.region, context.service_request or {})


def install() -> None:
    from localstack.aws import handlers

    if handler not in handlers.serve_custom_service_request_handlers.handlers:
        handlers.serve_custom_service_request_handlers.append(handler)
