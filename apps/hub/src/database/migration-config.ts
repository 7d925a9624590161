import { IsOptional, IsString, Matches } from 'class-validator';

/** What `npm run migrate` needs: the schema owner's connection, not the application role's. */
export class MigrationConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// connection URL' })
  MIGRATION_DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/mash';

  /** Sets the application role's password, where the server requires one (the Docker set-up does). */
  @IsOptional()
  @IsString()
  APP_DATABASE_PASSWORD?: string = undefined;
}
