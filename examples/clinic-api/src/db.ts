import { Pool } from 'pg';
import { PrismaClient } from '@prisma/client';
import { config } from './config.js';

export const pool = new Pool({
  connectionString: config.databaseUrl,
  ssl: { rejectUnauthorized: true },
  max: 10,
});

export const prisma = new PrismaClient();
