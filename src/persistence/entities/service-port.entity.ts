import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'service_ports' })
export class ServicePortEntity {
  @PrimaryColumn({ type: 'integer' })
  port!: number;

  @Column({ type: 'text', name: 'app_id' })
  appId!: string;
}
