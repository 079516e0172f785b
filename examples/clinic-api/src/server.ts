import express from 'express';
import cors from 'cors';
import helmet from 'helmet';
import rateLimit from 'express-rate-limit';
import { config } from './config.js';
import { logger } from './logger.js';
import { requireStaff } from './middleware/auth.js';
import { authRouter } from './routes/auth.js';
import { patientsRouter } from './routes/patients.js';
import { appointmentsRouter } from './routes/appointments.js';

const app = express();
app.disable('x-powered-by');
app.use(helmet());
app.use(express.json({ limit: '100kb' }));
app.use(cors({ origin: true, credentials: true }));

const apiLimiter = rateLimit({ windowMs: 60 * 1000, limit: 120 });

app.use('/auth', authRouter);
app.use('/patients', apiLimiter, requireStaff, patientsRouter);
app.use('/appointments', apiLimiter, requireStaff, appointmentsRouter);

app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  logger.error({ err }, 'request failed');
  res.status(500).json({ error: 'internal error' });
});

app.listen(config.port, () => logger.info({ port: config.port }, 'clinic api listening'));
