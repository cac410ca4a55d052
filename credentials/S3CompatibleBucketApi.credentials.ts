import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import {
	S3_DEFAULT_REGION,
	S3_EXAMPLE_ENDPOINT,
	signS3BucketRequest,
} from '../nodes/common/s3/bucket';

/**
 * A bucket of any store that speaks the S3 API, for Backup → Copy to Object Storage. The fields are those of n8n's
 * own S3 credential (endpoint, region, accessKeyId, secretAccessKey, forcePathStyle) plus a session token. Every
 * request is signed here with AWS Signature V4 (nodes/common/s3/bucket.ts, over the pure signer of
 * nodes/common/s3/sigv4.ts), as n8n's AWS credential signs in its `authenticate`.
 */
export class S3CompatibleBucketApi implements ICredentialType {
	name = 's3CompatibleBucketApi';

	displayName = 'S3-Compatible Bucket API';

	icon: Icon = {
		light: 'file:../icons/s3Bucket.svg',
		dark: 'file:../icons/s3Bucket.dark.svg',
	};

	documentationUrl =
		'https://github.com/cloud-redis-backups/n8n-nodes-cloud-redis-backups#s3-compatible-bucket-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			required: true,
			placeholder: S3_EXAMPLE_ENDPOINT,
			description:
				"The S3 API endpoint of the bucket's region, for example https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000 for a local server; https:// is added when no scheme is given. The README lists the S3 endpoints of other clouds' object storage.",
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: S3_DEFAULT_REGION,
			description:
				"The bucket's region as the store names it in signatures (us-east-1 for MinIO and most local servers)",
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for temporary credentials (STS)',
		},
		{
			displayName: 'Force Path Style',
			name: 'forcePathStyle',
			type: 'boolean',
			default: false,
			description:
				'Whether to address the bucket as https://endpoint/bucket/key instead of https://bucket.endpoint/key. Path style is used anyway for an IP address or localhost endpoint and for bucket names that cannot be host names.',
		},
	];

	authenticate = signS3BucketRequest;

	/**
	 * ListBuckets (GET / on the Endpoint), signed by `authenticate`. S3 answers errors in XML, which n8n's credential
	 * test cannot read, so the rules word each HTTP status instead.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.endpoint || "").trim().replace(/\\/+$/, "") }}',
			url: '/',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						"The store refused the keys (HTTP 403): the Secret Access Key is wrong, the Access Key ID is not known to this Endpoint, the Session Token has expired, this machine's clock is off, or the key may not list buckets. A key limited to one bucket fails this test but can still copy into its bucket: save the credential and run the node to see the store's own error.",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 400,
					message:
						'The store refused the request (HTTP 400): most often the Region does not match the Endpoint (AWS: use the endpoint of the region, e.g. https://s3.eu-west-1.amazonaws.com with eu-west-1)',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 301,
					message:
						"The store redirects (HTTP 301): use the endpoint of the bucket's region, and its region",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'The Endpoint answered 404: it is not the S3 API endpoint of this store (check the URL and its path)',
				},
			},
		],
	};
}
