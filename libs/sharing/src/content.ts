import type { SafeguardingNotification } from '#contracts';
import type { ShareContent } from './decision.js';

/**
 * Everything a notification says about one of its children, under the names the sharing policy uses,
 * owned by the agency that sent it. The decision then keeps only what the recipient may have.
 */
export function notificationContent(notification: SafeguardingNotification, childIndex: number, contactNumber?: string): ShareContent {
  const child = notification.subjects.children[childIndex];
  if (!child) throw new RangeError(`notification ${notification.notificationId} has no child ${childIndex}`);
  const adults = notification.subjects.adults;
  const fields: Record<string, unknown> = {
    'child.name': { givenName: child.givenName, familyName: child.familyName },
    'child.dateOfBirth': child.dateOfBirth,
    'child.expectedDateOfDelivery': child.expectedDateOfDelivery,
    'child.nhsNumber': child.nhsNumber,
    'child.address': child.address,
    'child.schoolUrn': child.schoolUrn,
    'child.present': child.present,
    'child.voice': child.voice,
    'contact.reference': contactNumber,
    'notification.reference': notification.partnerReference,
    'notification.occurredAt': notification.occurredAt,
    'notification.reportedAt': notification.reportedAt,
    'notification.senderUrgency': notification.senderUrgency,
    'notification.categories': notification.categories.length ? notification.categories : undefined,
    'notification.narrative': notification.narrative,
    adults: adults.length
      ? adults.map((adult) => ({ givenName: adult.givenName, familyName: adult.familyName, role: adult.role, relationshipToChild: adult.relationshipToChild }))
      : undefined,
    'adults.details': adults.some((adult) => adult.dateOfBirth || adult.address)
      ? adults.map((adult) => ({ dateOfBirth: adult.dateOfBirth, address: adult.address }))
      : undefined,
  };
  const details = notification.details;
  switch (details.agency) {
    case 'police':
      Object.assign(fields, {
        'police.incidentLocation': details.incidentLocation,
        'police.circumstances': notification.narrative,
        'police.peoplePresent': adults.length ? adults.map((adult) => ({ givenName: adult.givenName, familyName: adult.familyName, role: adult.role })) : undefined,
        'police.domesticAbuse': details.domesticAbuse,
        'police.dashRiskLevel': details.dashRiskLevel,
        'police.officerInCase': details.officerInCase,
        'police.previousIncidents': details.previousIncidents,
        'police.referralType': details.referralType,
      });
      break;
    case 'health':
      Object.assign(fields, {
        'health.injuries': details.injuryDescriptions?.length ? details.injuryDescriptions : undefined,
        'health.previousAttendances': details.previousUnscheduledAttendances.length ? details.previousUnscheduledAttendances : undefined,
        'health.gpPractice': details.gpPracticeOdsCode,
        'health.priority': details.fhirPriority,
      });
      break;
    case 'education': {
      const pupil = details.pupils[childIndex];
      Object.assign(fields, {
        'education.concernTypes': details.concernTypes,
        'education.bodyMap': pupil?.bodyMap.length ? pupil.bodyMap : undefined,
        'education.dslDecision': details.dslDecision,
        'education.actionsTaken': details.actionsTaken.length ? details.actionsTaken : undefined,
        'education.designatedSafeguardingLead': details.designatedSafeguardingLead,
      });
      break;
    }
    case 'housing': {
      const { agency: _agency, version: _version, officer, ...notice } = details;
      Object.assign(fields, { 'housing.notice': notice, 'housing.officer': officer });
      break;
    }
    case 'probation':
      Object.assign(fields, {
        'probation.riskOfSeriousHarm': details.riskOfSeriousHarmToChildren,
        'probation.offences': details.offences,
        'probation.sentence': details.sentence,
        'probation.mappa': details.mappa,
        'probation.childContact': details.childContact,
        'probation.practitioner': details.practitioner,
      });
      break;
  }
  return { owner: notification.sourceAgency, fields };
}

/**
 * Whether a notification is an Operation Encompass incident: a police notice of domestic abuse. Police
 * name the children who were present or live at the address, so each of its children is in scope.
 */
export function isOperationEncompass(notification: SafeguardingNotification): boolean {
  return notification.details.agency === 'police' && notification.details.domesticAbuse;
}
