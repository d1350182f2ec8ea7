import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'apps' })
export class AppEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  version!: Date;

  @Column({ type: 'jsonb' })
  definition!: unknown;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
