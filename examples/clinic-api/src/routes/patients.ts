import { Router } from 'express';
import { z } from 'zod';
import { pool, prisma } from '../db.js';
import { logger } from '../logger.js';
import { requireRole } from '../middleware/auth.js';

interface PatientRecord {
  id: string;
  fullName: string;
  ssn: string;
  dateOfBirth: string;
  ward: string;
}

const SORTABLE = ['full_name', 'date_of_birth', 'ward'];
const newPatient = z.object({ fullName: z.string(), ssn: z.string().length(11), dateOfBirth: z.string(), ward: z.string() });

export const patientsRouter = Router();

patientsRouter.get('/', async (req, res) => {
  const sort = String(req.query.sort ?? 'full_name');
  if (!SORTABLE.includes(sort)) return res.status(400).json({ error: 'unknown sort column' });
  const limit = Math.min(Number(req.query.limit ?? 50), 200);
  const { rows } = await pool.query(`SELECT id, full_name, ward FROM patients ORDER BY ${sort} LIMIT ${limit}`);
  res.json(rows);
});

patientsRouter.get('/search', async (req, res) => {
  const name = req.query.name;
  const { rows } = await pool.query(`SELECT id, full_name, ward FROM patients WHERE full_name ILIKE '%${name}%'`);
  res.json(rows);
});

patientsRouter.get('/:id', async (req, res) => {
  const patient = await prisma.patient.findUnique({ where: { id: req.params.id } });
  if (!patient) return res.status(404).end();
  res.json({ id: patient.id, fullName: patient.fullName, ward: patient.ward });
});

patientsRouter.post('/', requireRole('admin'), async (req, res) => {
  const parsed = newPatient.safeParse(req.body);
  if (!parsed.success) return res.status(400).json({ error: 'invalid patient' });
  const record: PatientRecord = await prisma.patient.create({ data: parsed.data });
  logger.info(`registered patient ${record.id} born ${record.dateOfBirth}`);
  res.status(201).json({ id: record.id });
});

patientsRouter.delete('/:id', requireRole('admin'), async (req, res) => {
  await prisma.$executeRaw`DELETE FROM patients WHERE id = ${req.params.id}`;
  logger.info({ patientId: req.params.id }, 'patient deleted');
  res.status(204).end();
});
