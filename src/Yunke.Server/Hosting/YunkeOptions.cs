namespace Yunke.Server.Hosting;

/// <summary>The <c>Yunke:</c> settings of api-v1.md; appsettings, <c>Yunke__X</c> variables or <c>--Yunke:X=</c> set them.</summary>
public sealed class YunkeOptions
{
    public string DataDir { get; set; } = "./data";
    public DatabaseOptions Database { get; set; } = new();
    public SipOptions Sip { get; set; } = new();
    public RtpOptions Rtp { get; set; } = new();
    public OperatorOptions Operator { get; set; } = new();

    public sealed class DatabaseOptions
    {
        public string Provider { get; set; } = "sqlite";
        public string? ConnectionString { get; set; }
    }

    public sealed class SipOptions
    {
        public string Host { get; set; } = "127.0.0.1";
        public int Port { get; set; } = 5060;
        public int PoolPort { get; set; } = 5062;
        /// <summary>The SIP digest realm of every softphone of the platform; softphone password hashes depend on it.</summary>
        public string Realm { get; set; } = Core.Agents.SipPlatform.DefaultRealm;
        /// <summary>Shortest registration accepted (seconds); shorter asks get 423 Interval Too Brief.</summary>
        public int MinExpires { get; set; } = 60;
        /// <summary>Longest registration granted (seconds); longer asks are cut down to it.</summary>
        public int MaxExpires { get; set; } = 3600;
        /// <summary>Registration length when the phone names none.</summary>
        public int DefaultExpires { get; set; } = 3600;
        /// <summary>Live contacts one softphone number may hold across all registrars.</summary>
        public int MaxContacts { get; set; } = 10;
        /// <summary>Failed digest authentications from one address within the window before its REGISTERs are refused outright.</summary>
        public int MaxAuthFailures { get; set; } = 10;
        public int AuthFailureWindowSeconds { get; set; } = 300;
    }

    public sealed class RtpOptions
    {
        public int PortMin { get; set; } = 20000;
        public int PortMax { get; set; } = 20999;
    }

    public sealed class OperatorOptions
    {
        public string? Password { get; set; }
    }
}
