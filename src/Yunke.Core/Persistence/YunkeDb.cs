using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Yunke.Core.Persistence;

/// <summary>
/// The one database of Yunke. Each capability maps its own entities with an
/// <see cref="IEntityTypeConfiguration{T}"/> next to them and reads them through <c>Set&lt;T&gt;()</c>.
/// Two subclasses exist only so that SQLite and PostgreSQL each keep their own migrations.
/// </summary>
public abstract class YunkeDb(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(YunkeDb).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite hands back DateTime without a kind; every time in Yunke is UTC, so say so on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<decimal>().HavePrecision(18, 4);
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqliteYunkeDb(DbContextOptions<SqliteYunkeDb> options) : YunkeDb(options);

public sealed class PostgresYunkeDb(DbContextOptions<PostgresYunkeDb> options) : YunkeDb(options);
