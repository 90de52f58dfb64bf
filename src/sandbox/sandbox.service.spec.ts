import { Test } from '@nestjs/testing';
import { ConfigModule } from '../config/config.module';
import { loadConfig } from '../config/load-config';
import { SandboxModule } from './sandbox.module';
import { SandboxService } from './sandbox.service';

async function startApp(env: Record<string, string>) {
  const { config } = loadConfig({ HERALD_SANDBOX_PORT: '0', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), SandboxModule],
  })
    .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
    .compile();
  // An application context runs the lifecycle hooks without an HTTP adapter.
  const app = await moduleRef.init();
  return { app, service: app.get(SandboxService) };
}

describe(SandboxService.name, () => {
  it('runs the simulator while the application runs, when sandbox mode embeds it', async () => {
    const { app, service } = await startApp({});
    const url = service.simulator!.url;

    expect((await fetch(`${url}/_sandbox/providers`)).status).toBe(200);

    await app.close();
    expect(service.simulator).toBeUndefined();
    await expect(fetch(`${url}/_sandbox/providers`)).rejects.toThrow();
  });

  it('runs nothing when another process serves the sandbox', async () => {
    const { app, service } = await startApp({ HERALD_SANDBOX_URL: 'http://127.0.0.1:4999' });

    expect(service.simulator).toBeUndefined();
    await app.close();
  });
});
