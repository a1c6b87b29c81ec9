/** smtp-server (dev only, see ./README.md): a real SMTP server for the mailer's tests. */
export * from "npm:smtp-server@3.21.6";
