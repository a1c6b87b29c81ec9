-- Staff read the outbox, so it must not hold one-time links (a support agent could reset the admin's password
-- with one). New mails are stored redacted (services/mail/outbox.ts `storedCopy`); this scrubs the old rows
-- with the same rule: a link whose query carries a token, code, key or secret.
update mail_outbox set
  text_body = regexp_replace(text_body, 'https?://[^\s"''<>]*[?&](token|code|key|secret)=[^\s"''<>]*',
                             '[link removed — sent only to the recipient]', 'gi'),
  html_body = regexp_replace(html_body, 'https?://[^\s"''<>]*[?&](token|code|key|secret)=[^\s"''<>]*',
                             '[link removed — sent only to the recipient]', 'gi')
where text_body ~* '[?&](token|code|key|secret)=' or html_body ~* '[?&](token|code|key|secret)=';
