using Microsoft.EntityFrameworkCore;
using Yunke.Core.Persistence;

namespace Yunke.Core.Tests.Persistence;

/// <summary>The migrations of both providers describe the model exactly: a forgotten `scripts/migrations.sh` fails here.</summary>
public class MigrationTests
{
    [Fact]
    public void Sqlite_migrations_match_the_model()
    {
        using var db = new SqliteYunkeDb(new DbContextOptionsBuilder<SqliteYunkeDb>().UseSqlite("Data Source=:memory:").Options);
        db.Database.GetMigrations().ShouldNotBeEmpty();
        db.Database.HasPendingModelChanges().ShouldBeFalse();
    }

    [Fact]
    public void Postgres_migrations_match_the_model()
    {
        using var db = new PostgresYunkeDb(new DbContextOptionsBuilder<PostgresYunkeDb>().UseNpgsql("Host=127.0.0.1;Database=none").Options);
        db.Database.GetMigrations().ShouldNotBeEmpty();
        db.Database.HasPendingModelChanges().ShouldBeFalse();
    }
}
