"""The S3-compatible storage for uploads and PDFs: one definition used by settings and tests.

Objects are private and never addressed by URL: the permission-checked views stream
them (`FieldFile.open()` works the same on disk and in a bucket), so moving to a
bucket changes no view. Imported by settings, so it must not import Django models.
"""


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    prefix: str = "uploads",
) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            # Empty means the standard AWS chain (instance role, environment, config file).
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": prefix,
            "default_acl": "private",
            # Never overwrite: two uploads with one name keep both files.
            "file_overwrite": False,
            # Short-lived if a signed URL is ever made; the views stream and make none.
            "querystring_expire": 60,
        },
    }
