import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The unit specs alone, for mutation testing (`npm run test:mutation`): no redis-server, no
// integration specs, so each mutant runs in well under a second.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: { globals: true, include: ['src/**/*.spec.ts'] },
});
