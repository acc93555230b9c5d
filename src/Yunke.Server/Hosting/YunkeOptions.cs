namespace Yunke.Server.Hosting;

/// <summary>The <c>Yunke:</c> settings of api-v1.md; appsettings, <c>Yunke__X</c> variables or <c>--Yunke:X=</c> set them.</summary>
public sealed class YunkeOptions
{
    public string DataDir { get; set; } = "./data";
    public DatabaseOptions Database { get; set; } = new();
    public SipOptions Sip { get; set; } = new();
    public RtpOptions Rtp { get; set; } = new();
    public CallOptions Calls { get; set; } = new();
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
        /// <summary>
        /// "address:port" of the SIP peer that carries calls to customers (a carrier's trunk or a PBX); calls go there
        /// over UDP as INVITE sip:{number}@{trunk} with the tenant's number as caller ID. Unset: no outbound calls.
        /// </summary>
        public string? Trunk { get; set; }
    }

    public sealed class RtpOptions
    {
        public int PortMin { get; set; } = 20000;
        public int PortMax { get; set; } = 20999;
    }

    public sealed class CallOptions
    {
        /// <summary>How long an agent's phone rings before the call goes to the next agent and this one is set busy.</summary>
        public int RingTimeoutSeconds { get; set; } = 20;
        /// <summary>A talking call whose leg sends no RTP for this long (while not on hold) is dead and ended.</summary>
        public int MediaTimeoutSeconds { get; set; } = 60;
        /// <summary>The session timer interval Yunke asks for and grants (RFC 4028).</summary>
        public int SessionExpiresSeconds { get; set; } = 1800;
        /// <summary>The smallest session timer interval Yunke accepts (422 below it); RFC 4028's floor is 90.</summary>
        public int MinSessionExpiresSeconds { get; set; } = 90;
        /// <summary>The WAV looped to a caller waiting in a queue (relative to the server's folder); empty for ringback tone.</summary>
        public string? QueuePrompt { get; set; } = "Prompts/queue-prompt.wav";
        /// <summary>The WAV looped to a customer on hold; empty for ringback tone.</summary>
        public string? HoldMusic { get; set; } = "Prompts/hold-music.wav";
        /// <summary>Calls in progress (inbound and outbound) beyond which new ones get 503; 0 for as many as the RTP range holds.</summary>
        public int MaxCalls { get; set; }
        /// <summary>
        /// New calls get 503 while the busiest media thread spends this share of its time handling packets or more
        /// (0–1; 0, the default, for no check). Meant for a host that runs Yunke alone: where other processes take
        /// the cores, a media thread that is preempted looks as busy as one that is behind (docs/benchmarks.md).
        /// </summary>
        public double MaxMediaLoad { get; set; }
    }

    public sealed class OperatorOptions
    {
        public string? Password { get; set; }
    }
}
