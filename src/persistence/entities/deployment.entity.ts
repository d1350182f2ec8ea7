import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'deployments' })
export class DeploymentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  version!: Date;

  @Column({ type: 'text', array: true, name: 'affected_apps' })
  affectedApps!: string[];

  @Column({ type: 'jsonb' })
  original!: unknown;

  @Column({ type: 'jsonb' })
  target!: unknown;

  @Column({ type: 'jsonb' })
  steps!: unknown;

  @Column({ type: 'integer', name: 'current_step' })
  currentStep!: number;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'jsonb' })
  reasons!: unknown;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
