import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { config } from '../config.js';

export interface StaffClaims {
  sub: string;
  role: 'doctor' | 'nurse' | 'admin';
}

export function requireStaff(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  try {
    const claims = jwt.verify(token, config.jwtSecret, { algorithms: ['HS256'] }) as StaffClaims;
    res.locals.staff = claims;
    next();
  } catch {
    res.status(401).json({ error: 'unauthorized' });
  }
}

export function requireRole(role: StaffClaims['role']) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (res.locals.staff?.role !== role) return res.status(403).json({ error: 'forbidden' });
    next();
  };
}
