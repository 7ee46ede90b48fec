// Starts the bundled server for the benchmark: the same config, container and app as `main`, on the
// in-memory store or, with MONGODB_URI, on MongoDB (main's start-up warnings, log line and SIGINT
// handling are left out). Listens on PORT (0 or unset: any free port) and reports it over IPC.
import { MongoPersistence } from '@partner-team/mongodb';
import { createApp, createContainer, loadConfig, randomSessionSecret } from '@partner-team/server';

const port = Number(process.env.PORT ?? 0);
const config = loadConfig({ ...process.env, PORT: String(port), HOST: '127.0.0.1' }, randomSessionSecret);
const app = createApp(await createContainer(config, {}, (uri, logger) => MongoPersistence.open({ uri, logger })));
const server = app.listen(port, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.once('SIGTERM', () => {
  server.close();
  process.exit(0);
});
