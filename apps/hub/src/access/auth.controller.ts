import { Body, Controller, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { RateLimiter, type RateLimitRule } from '#platform';
import { HubConfig } from '../config.js';
import { Public } from './access-policy.js';
import { SignIn, type SignedIn } from './sign-in.js';

export class LoginRequest {
  @ApiProperty({ example: 'sam.screener' })
  @IsString()
  @Length(1, 100)
  username!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  password!: string;
}

export class RefreshRequest {
  @ApiProperty()
  @IsString()
  @Length(20, 200)
  refreshToken!: string;
}

class SignedInResponse {
  @ApiProperty({ description: 'Send as Authorization: Bearer <accessToken>' }) accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: string;
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'Exchange for a new pair before it expires; each can be used once' }) refreshToken!: string;
  @ApiProperty() refreshExpiresIn!: number;
  @ApiProperty({ type: Object }) staff!: { id: string; username: string; roles: string[] };
}

/** Built-in accounts. Staff of councils with their own identity provider sign in there instead. */
@ApiTags('auth')
@Controller('api/auth')
@Public()
export class AuthController {
  private readonly perAccount: RateLimitRule;
  private readonly perAddress: RateLimitRule;

  constructor(
    private readonly signIn: SignIn,
    private readonly limits: RateLimiter,
    @Inject(HubConfig) config: HubConfig,
  ) {
    // One username from one place, and everything from one place (guessing across many usernames).
    this.perAccount = { name: 'sign-in', limit: config.SIGN_IN_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
    this.perAddress = { name: 'sign-in-address', limit: config.SIGN_IN_RATE_LIMIT_PER_MINUTE * 6, windowSeconds: 60 };
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SignedInResponse })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (423 when the account is locked, 429 when too many attempts)' })
  async login(@Body() request: LoginRequest, @Ip() address: string): Promise<SignedIn> {
    await this.limits.consume(this.perAddress, address);
    await this.limits.consume(this.perAccount, `${address}|${request.username}`);
    return this.signIn.signIn(request.username, request.password);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: SignedInResponse })
  refresh(@Body() request: RefreshRequest): Promise<SignedIn> {
    return this.signIn.refresh(request.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The sign-in the refresh token belongs to is over' })
  logout(@Body() request: RefreshRequest): Promise<void> {
    return this.signIn.signOut(request.refreshToken);
  }
}
