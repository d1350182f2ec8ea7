import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { AppTasksController, TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({
  imports: [DeploymentsModule],
  controllers: [AppTasksController, TasksController],
  providers: [TasksService],
})
export class TasksModule {}
