import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'app_versions' })
export class AppVersionEntity {
  @PrimaryColumn({ type: 'text', name: 'app_id' })
  appId!: string;

  @PrimaryColumn({ type: 'timestamptz', precision: 3 })
  version!: Date;

  @Column({ type: 'jsonb' })
  definition!: unknown;
}
