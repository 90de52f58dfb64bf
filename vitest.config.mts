import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// esbuild (Vitest's default transpiler) emits no decorator metadata, which NestJS's
// dependency injection needs; SWC does.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  test: {
    globals: true,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        plugins,
        test: { name: 'unit', include: ['src/**/*.spec.ts'], globals: true },
      },
      {
        plugins,
        test: {
          name: 'integration',
          include: ['test/**/*.spec.ts'],
          globals: true,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
