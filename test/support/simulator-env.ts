import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';

/**
 * The provider variables of a real (non-sandbox) Herald whose every SDK calls the provider
 * simulator at `simulatorUrl`, with the only credentials it accepts.
 */
export function simulatorEnv(simulatorUrl: string): Record<string, string> {
  const c = SANDBOX_CREDENTIALS;
  return {
    HERALD_SANDBOX: 'false',
    HERALD_EMAIL_FROM: 'herald@example.com',
    SENDGRID_API_KEY: c.sendgrid.apiKey,
    SENDGRID_BASE_URL: simulatorUrl,
    MAILGUN_API_KEY: c.mailgun.apiKey,
    MAILGUN_DOMAIN: c.mailgun.domain,
    MAILGUN_URL: simulatorUrl,
    AWS_ACCESS_KEY_ID: c.ses.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.ses.secretAccessKey,
    SES_REGION: c.ses.region,
    SES_ENDPOINT: simulatorUrl,
    TWILIO_ACCOUNT_SID: c.twilio.accountSid,
    TWILIO_AUTH_TOKEN: c.twilio.authToken,
    TWILIO_FROM: c.twilio.from,
    TWILIO_BASE_URL: simulatorUrl,
    SLACK_BOT_TOKEN: c.slack.token,
    SLACK_API_URL: `${simulatorUrl}/api/`,
  };
}
