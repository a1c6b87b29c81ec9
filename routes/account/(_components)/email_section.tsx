import { Notice, SubmitButton } from "../../../components/form.tsx";
import { Badge, Card, SavedNotice, SectionError } from "./section_card.tsx";
import type { Data } from "./security_types.ts";

export function EmailSection({ data }: { data: Data }) {
  const { profile } = data;
  return (
    <Card id="email" title="Email">
      <SavedNotice saved={data.saved} when="verified" />
      {data.saved === "verification" && (
        <Notice>We have sent a new confirmation link to {profile.email}.</Notice>
      )}
      <SectionError state={data.state.email} />
      <p class="flex flex-wrap items-center gap-3">
        <span class="font-medium break-all">{profile.email}</span>
        <Badge on={profile.emailVerified}>
          {profile.emailVerified ? "Confirmed" : "Not confirmed"}
        </Badge>
      </p>
      {!profile.emailVerified && (
        <form method="post" class="flex flex-wrap items-center gap-4">
          <p class="text-sm text-muted">Did not get the link, or did it expire?</p>
          <SubmitButton intent="resend-verification" variant="secondary">Send a new link</SubmitButton>
        </form>
      )}
    </Card>
  );
}
