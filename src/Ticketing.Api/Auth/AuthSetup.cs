using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Auth;

internal static class AuthSetup
{
    public static void AddTicketingAuth(this WebApplicationBuilder builder)
    {
        var options = AuthOptions.From(builder.Configuration);
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                // Keep "sub" and "role" as issued instead of mapping them to WS-* claim URIs.
                jwt.MapInboundClaims = false;
                jwt.SaveToken = false;
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new ValidatedTokenCache(TimeProvider.System) { MapInboundClaims = false });
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                if (options.Authority is not null)
                {
                    jwt.Authority = options.Authority;
                }
                else
                {
                    jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(options.SigningKeyBytes);
                    jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                }

                jwt.Events = new JwtBearerEvents
                {
                    // Every rule keys on the user id: a token without one names nobody.
                    OnTokenValidated = context =>
                    {
                        if (context.Principal?.FindFirst("sub")?.Value is not { Length: > 0 })
                        {
                            context.Fail("The token has no 'sub'.");
                        }

                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await Problem.Unauthorized().ExecuteAsync(context.HttpContext);
                    },
                    OnForbidden = context => Problem.Forbidden().ExecuteAsync(context.HttpContext),
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Organizer, policy => policy.RequireRole(Roles.Organizer))
            .AddPolicy(Roles.Buyer, policy => policy.RequireRole(Roles.Buyer))
            .AddPolicy(Roles.Scanner, policy => policy.RequireRole(Roles.Scanner))
            .AddPolicy(Roles.Operator, policy => policy.RequireRole(Roles.Operator))
            .AddPolicy(Roles.BuyerOrOrganizer, policy => policy.RequireRole(Roles.Buyer, Roles.Organizer))
            .AddPolicy(Roles.OrganizerOrOperator, policy => policy.RequireRole(Roles.Organizer, Roles.Operator));
        builder.Services.AddSingleton<EventAccess>();
    }
}
