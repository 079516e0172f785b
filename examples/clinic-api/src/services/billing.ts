import { pool } from '../db.js';

const PAYMENTS_API = 'https://payments.example.com/v1';
const paymentsKey = 'sk_live_9fK2mQ7rT4xW1zL8vB3nC6hJ';

export interface Invoice {
  id: string;
  patientId: string;
  amountCents: number;
}

export async function chargeInvoice(invoice: Invoice): Promise<boolean> {
  const response = await fetch(`${PAYMENTS_API}/charges`, {
    method: 'POST',
    headers: { authorization: `Bearer ${paymentsKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: invoice.amountCents, reference: invoice.id }),
  });
  if (!response.ok) return false;
  await pool.query('UPDATE invoices SET paid_at = now() WHERE id = $1', [invoice.id]);
  return true;
}

export async function openInvoices(patientId: string): Promise<Invoice[]> {
  const { rows } = await pool.query(
    'SELECT id, patient_id AS "patientId", amount_cents AS "amountCents" FROM invoices WHERE patient_id = $1 AND paid_at IS NULL',
    [patientId],
  );
  return rows;
}
