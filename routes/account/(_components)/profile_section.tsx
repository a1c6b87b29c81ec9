import { NameFields, Select, SubmitButton } from "../../../components/form.tsx";
import { Card, SavedNotice, SectionError } from "./section_card.tsx";
import type { Data } from "./security_types.ts";

const TIME_ZONES = Intl.supportedValuesOf("timeZone").filter((tz) => tz.includes("/") || tz === "UTC");

export function ProfileSection({ data }: { data: Data }) {
  const { profile } = data;
  const state = data.state.profile;
  return (
    <Card id="profile" title="Profile">
      <SavedNotice saved={data.saved} when="profile" />
      <SectionError state={state} />
      <form method="post" class="space-y-5">
        <NameFields
          values={{
            firstName: state?.values?.firstName ?? profile.firstName,
            lastName: state?.values?.lastName ?? profile.lastName,
          }}
          errors={state?.errors}
        />
        <Select
          name="timeZone"
          label="Time zone"
          value={state?.values?.timeZone ?? profile.timeZone}
          error={state?.errors?.timeZone}
          options={(TIME_ZONES.includes(profile.timeZone) ? TIME_ZONES : [profile.timeZone, ...TIME_ZONES])
            .map((tz) => ({ value: tz, label: tz.replaceAll("_", " ") }))}
          class="sm:max-w-sm"
        />
        <SubmitButton intent="profile">Save profile</SubmitButton>
      </form>
    </Card>
  );
}
