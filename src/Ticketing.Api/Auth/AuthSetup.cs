using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Ticketing.Api.Problems;
using Ticketing.Persistence.Sessions;

namespace Ticketing.Api.Auth;

internal static class AuthSetup
{
    /// <summary>Data protection's application name: the same on every silo, wherever it runs from (the default is the content root's path).</summary>
    private const string ApplicationName = "ticketing";

    public static void AddTicketingAuth(this WebApplicationBuilder builder)
    {
        var options = AuthOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        // Browsers treat http://localhost as secure, but a developer may reach a silo another way.
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        builder.Services.AddSingleton<ValidatedTokens>();
        var authentication = builder.Services
            .AddAuthentication(Sessions.BearerOrSession)
            .AddScheme<AuthenticationSchemeOptions, BearerOrSessionHandler>(Sessions.BearerOrSession, "Bearer token or session cookie", null)
            .AddJwtBearer(jwt =>
            {
                // Keep "sub" and "role" as issued instead of mapping them to WS-* claim URIs.
                jwt.MapInboundClaims = false;
                jwt.SaveToken = false;
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
                    jwt.RequireHttpsMetadata = options.RequiresHttpsMetadata;
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
                        // RFC 6750: a token that was sent and refused is named as such, with no more detail.
                        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                        await Problem.Unauthorized().ExecuteAsync(context.HttpContext);
                    },
                    OnForbidden = context => Problem.Forbidden().ExecuteAsync(context.HttpContext),
                };
            })
            .AddCookie(Sessions.Scheme, cookie =>
            {
                cookie.Cookie.Name = Sessions.CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SecurePolicy = secure;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.ExpireTimeSpan = Sessions.Lifetime;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = Sessions.SignInPath;
                cookie.ReturnUrlParameter = "returnUrl";
                cookie.Events = new CookieAuthenticationEvents
                {
                    // A page a person opened goes to sign-in and comes back; a script's call gets the API's 401.
                    OnRedirectToLogin = context =>
                    {
                        var request = context.Request;
                        if (Sessions.IsBrowserNavigation(request))
                        {
                            context.Response.Redirect(Sessions.SignInAddress($"{request.PathBase}{request.Path}{request.QueryString}"));
                            return Task.CompletedTask;
                        }

                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        return Problem.Unauthorized().ExecuteAsync(context.HttpContext);
                    },
                    OnRedirectToAccessDenied = context => Problem.Forbidden().ExecuteAsync(context.HttpContext),
                };
            });

        if (options.SignsInWithOpenIdConnect)
        {
            authentication.AddOpenIdConnect(Sessions.OpenIdConnectScheme, oidc => ConfigureOpenIdConnect(oidc, options));
        }

        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = Sessions.AntiforgeryHeader;
            antiforgery.FormFieldName = Sessions.AntiforgeryField;
            antiforgery.Cookie.Name = Sessions.AntiforgeryCookieName;
            antiforgery.Cookie.SecurePolicy = secure;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<SessionKeyStore, IConfiguration>((keys, store, configuration) =>
        {
            keys.XmlRepository = new SessionKeyRing(store);
            keys.XmlEncryptor = new SessionKeyEncryptor(configuration);
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

    /// <summary>Checks the antiforgery token of state-changing requests a session cookie signed in (<see cref="SessionAntiforgery"/>).</summary>
    public static void UseTicketingAntiforgery(this WebApplication app) => app.UseMiddleware<SessionAntiforgery>();

    /// <summary>
    /// Code flow with PKCE; the ID token's <c>sub</c>, <c>role</c>, <c>org</c>
    /// and <c>event</c> claims, as the authority's bearer tokens carry them,
    /// become the session.
    /// </summary>
    private static void ConfigureOpenIdConnect(OpenIdConnectOptions oidc, AuthOptions options)
    {
        oidc.Authority = options.Authority;
        oidc.RequireHttpsMetadata = options.RequiresHttpsMetadata;
        oidc.ClientId = options.ClientId;
        oidc.ClientSecret = options.ClientSecret;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.UsePkce = true;
        oidc.SignInScheme = Sessions.Scheme;
        oidc.MapInboundClaims = false;
        // The session keeps the identity only: the authority's tokens would make the cookie large and are not used.
        oidc.SaveTokens = false;
        oidc.TokenValidationParameters.NameClaimType = "sub";
        oidc.TokenValidationParameters.RoleClaimType = "role";
        oidc.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = context =>
            {
                if (context.Principal is { } principal && Sessions.From(principal) is { } session)
                {
                    context.Principal = session;
                    context.Properties!.IsPersistent = true;
                }
                else
                {
                    context.Fail("The ID token has no 'sub'.");
                }

                return Task.CompletedTask;
            },
            // A refused or broken sign-in goes back to the sign-in page, which says so, instead of a 500.
            OnRemoteFailure = context =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ticketing.Api.Auth.OpenIdConnect")
                    .LogWarning(context.Failure, "OpenID Connect sign-in failed: {Reason}", context.Failure?.Message);
                context.HandleResponse();
                context.Response.Redirect($"{Sessions.SignInPath}?failed=openid-connect");
                return Task.CompletedTask;
            },
        };
    }
}
