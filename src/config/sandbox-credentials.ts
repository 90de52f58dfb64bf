/**
 * The credentials sandbox mode gives every SDK, and the only ones the provider simulator
 * accepts: a wrong key must fail there exactly as it fails at the real provider.
 * They open nothing but the local simulator, so they are not secrets.
 */
export const SANDBOX_CREDENTIALS = {
  sendgrid: { apiKey: 'SG.sandbox.herald-sandbox-key' },
  mailgun: { apiKey: 'key-herald-sandbox', domain: 'sandbox.herald.test' },
  ses: {
    region: 'us-east-1',
    accessKeyId: 'AKIAHERALDSANDBOX000',
    secretAccessKey: 'herald-sandbox-secret-access-key',
  },
  twilio: {
    accountSid: 'AC00000000000000000000000000000000',
    authToken: 'herald-sandbox-auth-token',
    from: '+15005550006',
  },
  slack: { token: 'xoxb-herald-sandbox-token' },
} as const;

/** The shape of {@link SANDBOX_CREDENTIALS} with plain strings, so a test may pass other values. */
export type SandboxCredentials = {
  readonly [P in keyof typeof SANDBOX_CREDENTIALS]: {
    readonly [K in keyof (typeof SANDBOX_CREDENTIALS)[P]]: string;
  };
};

/**
 * The Mailgun HTTP webhook signing key the simulator signs its events with unless given
 * another (`events.mailgunSigningKey`); like the credentials above, it opens nothing.
 */
export const SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY = 'herald-sandbox-webhook-signing-key';

/**
 * The SendGrid event signing key pair the embedded simulator signs with
 * (`events.sendgridPrivateKey`), so sandbox mode knows the public key to verify. Opens nothing.
 */
export const SANDBOX_SENDGRID_WEBHOOK_KEYS = {
  privateKey: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4uVDaMI85TC8wi0A
nqRnGlto5cxvVX9+FdV4ij23gmGhRANCAATlN6HzdckRGajg5N0NIEENUMwlz5uI
uHfIAyrI9myjO41v7yKyeF4JJcTqZszhE/K9Hb9NpPuc3MAHMeunhOhi
-----END PRIVATE KEY-----
`,
  publicKey:
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5Teh83XJERmo4OTdDSBBDVDMJc+biLh3yAMqyPZsozuNb+8isnheCSXE6mbM4RPyvR2/TaT7nNzABzHrp4ToYg==',
} as const;

/** The SNS topic the simulator publishes SES events to by default (`events.snsTopicArn`). */
export const SANDBOX_SNS_TOPIC_ARN = `arn:aws:sns:${SANDBOX_CREDENTIALS.ses.region}:000000000000:herald-sandbox-ses-events`;
