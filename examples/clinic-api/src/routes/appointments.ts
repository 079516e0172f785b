import { Router } from 'express';
import { z } from 'zod';
import { pool } from '../db.js';

const booking = z.object({ patientId: z.string().uuid(), doctorId: z.string().uuid(), startsAt: z.coerce.date() });

export const appointmentsRouter = Router();

appointmentsRouter.get('/', async (req, res) => {
  const day = z.coerce.date().parse(req.query.day ?? new Date());
  const { rows } = await pool.query(
    'SELECT id, patient_id, doctor_id, starts_at FROM appointments WHERE starts_at::date = $1::date ORDER BY starts_at',
    [day],
  );
  res.json(rows);
});

appointmentsRouter.post('/', async (req, res) => {
  const parsed = booking.safeParse(req.body);
  if (!parsed.success) return res.status(400).json({ error: 'invalid booking' });
  const { patientId, doctorId, startsAt } = parsed.data;
  const { rows } = await pool.query(
    'INSERT INTO appointments (patient_id, doctor_id, starts_at) VALUES ($1, $2, $3) RETURNING id',
    [patientId, doctorId, startsAt],
  );
  res.status(201).json({ id: rows[0].id });
});
