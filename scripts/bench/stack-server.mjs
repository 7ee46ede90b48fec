// Starts the bundled server exactly as `main` does, and tells the benchmark its port over IPC.
import { createApp, createContainer, loadConfig, randomSessionSecret } from '@partner-team/server';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' }, randomSessionSecret);
const app = createApp(await createContainer(config));
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.once('SIGTERM', () => {
  server.close();
  process.exit(0);
});
