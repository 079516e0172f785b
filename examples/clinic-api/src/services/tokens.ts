import jwt from 'jsonwebtoken';
import { config } from '../config.js';

export function issueAccessToken(staffId: string, role: string): string {
  return jwt.sign({ sub: staffId, role }, config.jwtSecret, { algorithm: 'HS256', expiresIn: '15m' });
}

export function issueRefreshToken(staffId: string): string {
  return jwt.sign({ sub: staffId, kind: 'refresh' }, config.jwtSecret, { algorithm: 'HS256' });
}
