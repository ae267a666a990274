-- One-time step per environment, run by the Entra SQL administrator (the
-- server has no SQL logins): makes shopfn's managed identity a user of the
-- database with the rights it needs, including DDL for the migrations the
-- app applies at start (`handler migrate` runs them on their own).
--
--   sqlcmd -S <sqlHost> -d shopfn --authentication-method ActiveDirectoryDefault \
--     -v IDENTITY=<identityName> -i infra/bicep/sql/create-user.sql
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'$(IDENTITY)')
    CREATE USER [$(IDENTITY)] FROM EXTERNAL PROVIDER;
ALTER ROLE db_datareader ADD MEMBER [$(IDENTITY)];
ALTER ROLE db_datawriter ADD MEMBER [$(IDENTITY)];
ALTER ROLE db_ddladmin ADD MEMBER [$(IDENTITY)];
GRANT EXECUTE TO [$(IDENTITY)];
