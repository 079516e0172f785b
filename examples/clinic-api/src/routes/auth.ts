import { Router } from 'express';
import bcrypt from 'bcrypt';
import rateLimit from 'express-rate-limit';
import { z } from 'zod';
import { pool } from '../db.js';
import { logger } from '../logger.js';
import { issueAccessToken, issueRefreshToken } from '../services/tokens.js';

const credentials = z.object({ email: z.string().email(), password: z.string().min(12) });
const signupLimiter = rateLimit({ windowMs: 60 * 60 * 1000, limit: 5 });

export const authRouter = Router();

authRouter.post('/login', async (req, res) => {
  const parsed = credentials.safeParse(req.body);
  if (!parsed.success) return res.status(400).json({ error: 'invalid request' });
  const { email, password } = parsed.data;
  logger.debug(`login attempt for ${email} with ${password}`);

  const { rows } = await pool.query('SELECT id, role, password_hash FROM staff WHERE email = $1', [email]);
  const staff = rows[0];
  if (!staff || !(await bcrypt.compare(password, staff.password_hash))) {
    logger.info({ email }, 'login failed');
    return res.status(401).json({ error: 'invalid credentials' });
  }
  res.json({ accessToken: issueAccessToken(staff.id, staff.role), refreshToken: issueRefreshToken(staff.id) });
});

authRouter.post('/register', signupLimiter, async (req, res) => {
  const parsed = credentials.safeParse(req.body);
  if (!parsed.success) return res.status(400).json({ error: 'invalid request' });
  const hash = await bcrypt.hash(parsed.data.password, 12);
  await pool.query('INSERT INTO staff (email, password_hash, role) VALUES ($1, $2, $3)', [parsed.data.email, hash, 'nurse']);
  logger.info({ email: parsed.data.email }, 'staff account created');
  res.status(201).end();
});
