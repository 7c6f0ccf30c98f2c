"""Uploads in S3-compatible object storage (issue 17): a local moto server, real HTTP
through boto3 and django-storages. The attachment is stored in the bucket, read back
only through the permission-checked view, and nothing in the bucket is public."""

import socket

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance import roles
from compliance.object_storage import s3_storage
from safeguarding.models import Concern

pytestmark = pytest.mark.django_db

BUCKET = "compliance-uploads"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% the rota shows 90-hour weeks\ntrailer<<>>\n%%EOF\n"
PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    # The storage compliance/settings.py builds from the S3_* variables.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket=BUCKET, endpoint_url=s3_endpoint, region="eu-west-2", access_key="test", secret_key="test"
        ),
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_attachment_lives_in_the_bucket_and_is_served_only_through_the_view(
    bucket, client, login, make_user, lead_user
):
    reporter = make_user(roles.STAFF)
    login(reporter)
    response = client.post(
        reverse("safeguarding:report"),
        {
            "immediate_danger": "no",
            "subject_type": "supplier_worker",
            "narrative": "Agency cleaners hand their passports to the driver every Monday.",
            "attachments": [SimpleUploadedFile("rota.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code in (200, 302), response.content[:500]
    concern = Concern.objects.get()
    attachment = concern.attachments.get()

    # Stored in the bucket under the upload prefix, not on the local disk.
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"uploads/{attachment.file.name}"]
    assert "rota.pdf" not in keys[0]

    url = reverse("safeguarding:attachment_download", args=[concern.reference, attachment.pk])
    login(lead_user)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    for role in (roles.PROCUREMENT, roles.BOARD_MEMBER, roles.STAFF):
        login(make_user(role))
        assert client.get(url).status_code == 404, role

    # Nothing public: no object or bucket grant to everyone, and no bucket policy.
    for key in keys:
        grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GRANTEES], grants
    bucket_grants = bucket.get_bucket_acl(Bucket=BUCKET)["Grants"]
    assert not [g for g in bucket_grants if g["Grantee"].get("URI") in PUBLIC_GRANTEES]
    with pytest.raises(bucket.exceptions.ClientError):
        bucket.get_bucket_policy(Bucket=BUCKET)
