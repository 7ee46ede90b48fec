// Baseline: a plain Express 5 app as one would write it, serving the byte-identical member page:
// helmet, cookie parsing, zod query validation, one winston line per request, res.json.
import { readFileSync } from 'node:fs';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import winston from 'winston';
import { z } from 'zod';

const page = JSON.parse(readFileSync(process.env.PAGE_FILE, 'utf8'));
const logger = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), winston.format.json()), transports: [new winston.transports.Console()] });
const query = z.strictObject({
  q: z.string().max(100).optional(),
  sort: z.enum(['name', 'email', 'role', 'lastActiveAt']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.string().regex(/^[0-9]{1,3}$/).optional(),
  cursor: z.string().max(2048).optional(),
});

const app = express();
app.use(helmet());
app.use(cookieParser());
app.get('/api/partner-team/members', (req, res) => {
  const parsed = query.safeParse(req.query);
  if (!parsed.success) {
    res.status(400).json({ code: 'validation_failed' });
    return;
  }
  logger.info('request', { method: req.method, path: '/members', status: 200, session: req.cookies.partner_session === undefined ? 'none' : 'present' });
  res.json(page);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.once('SIGTERM', () => process.exit(0));
