using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Yunke.Core.Persistence;

/// <summary>Chooses the provider from configuration alone: SQLite in the data folder by default, or PostgreSQL.</summary>
public static class DatabaseSetup
{
    public static IServiceCollection AddYunkeDatabase(this IServiceCollection services, string provider,
        string? connectionString, string dataDir)
    {
        switch (provider.ToLowerInvariant())
        {
            case "sqlite":
                Directory.CreateDirectory(dataDir);
                var sqlite = string.IsNullOrWhiteSpace(connectionString)
                    ? $"Data Source={Path.Combine(dataDir, "yunke.db")}"
                    : connectionString;
                services.AddDbContext<SqliteYunkeDb>(o => o.UseSqlite(sqlite));
                services.AddScoped<YunkeDb>(sp => sp.GetRequiredService<SqliteYunkeDb>());
                break;
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new InvalidOperationException("Yunke:Database:ConnectionString is required for PostgreSQL.");
                services.AddDbContext<PostgresYunkeDb>(o => o.UseNpgsql(connectionString));
                services.AddScoped<YunkeDb>(sp => sp.GetRequiredService<PostgresYunkeDb>());
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{provider}': use sqlite or postgres.");
        }
        return services;
    }

    /// <summary>Creates the database if needed and applies every pending migration.</summary>
    public static async Task MigrateAsync(this YunkeDb db, CancellationToken ct = default)
    {
        if (db.Database.IsSqlite())
        {
            // WAL lets the console read while a command writes.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        await db.Database.MigrateAsync(ct);
    }
}

// Used only by `dotnet ef migrations add`, one per provider's migration set.
internal sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteYunkeDb>
{
    public SqliteYunkeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteYunkeDb>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresYunkeDb>
{
    public PostgresYunkeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresYunkeDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
