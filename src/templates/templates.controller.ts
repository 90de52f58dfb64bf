import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import type { TemplateList, TemplatePreview } from './templates-api.schemas';
import { TemplatesService } from './templates.service';

/** The templates Herald loaded, and a preview that renders one as a send would. */
@Controller('v1/templates')
@UseGuards(ApiKeyGuard)
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  list(): TemplateList {
    return this.templates.list();
  }

  /** Renders without sending: the content a send would store, or the problems it would meet. */
  @Post(':name/preview')
  @HttpCode(200)
  preview(@Param('name') name: string, @Body() body: unknown): TemplatePreview {
    return this.templates.preview(name, body);
  }
}
